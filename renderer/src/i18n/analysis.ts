/** Strings of the analysis area (keys prefixed `analysis.`-style by area; see catalog.ts for the message syntax). */
import { defineCatalog } from './catalog.ts';

export default defineCatalog({}, {});
