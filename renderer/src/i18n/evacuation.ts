/** Strings of the evacuation area (keys prefixed `evacuation.`-style by area; see catalog.ts for the message syntax). */
import { defineCatalog } from './catalog.ts';

export default defineCatalog({}, {});
