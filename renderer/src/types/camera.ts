/** The saved 3D camera (types only): the 3D view reads and sets it, the UI store keeps it in layouts. */
export interface CameraState {
  position: [number, number, number];
  heading: number;
  pitch: number;
}
