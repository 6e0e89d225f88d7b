/**
 * Local equirectangular metres around a latitude: the projection every district-scale distance in RedWall uses (error
 * well under 0.1 % across a district). One definition, so ETL, analyses and layers measure alike.
 */
export const M_PER_DEG_LAT = 110_574;
export const mPerDegLon = (lat: number): number => 111_320 * Math.cos((lat * Math.PI) / 180);
