/** Strings of the alarms area (keys prefixed `alarms.`-style by area; see catalog.ts for the message syntax). */
import { defineCatalog } from './catalog.ts';

export default defineCatalog({}, {});
