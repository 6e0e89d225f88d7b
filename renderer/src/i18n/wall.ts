/** Strings of the wall area (keys prefixed `wall.`-style by area; see catalog.ts for the message syntax). */
import { defineCatalog } from './catalog.ts';

export default defineCatalog({}, {});
