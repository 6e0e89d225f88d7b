/** The district data package's manifest: written by the ETL, checked by the renderer when it loads the tables. */
export interface ManifestTable {
  name: string;
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
  description: string;
}

export interface Manifest {
  packageVersion: number;
  seed: number;
  crs: 'WGS84';
  bbox: { west: number; south: number; east: number; north: number };
  tables: ManifestTable[];
  files: Array<{ file: string; bytes: number; sha256: string }>;
  /** input records rejected per source, with the reasons logged by the ETL */
  rejected: Record<string, number>;
}
