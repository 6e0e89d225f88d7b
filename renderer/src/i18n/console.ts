/** Strings of the console area (keys prefixed `console.`-style by area; see catalog.ts for the message syntax). */
import { defineCatalog } from './catalog.ts';

export default defineCatalog({}, {});
