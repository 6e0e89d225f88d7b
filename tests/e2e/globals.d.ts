import type {} from '../../renderer/src/debug.ts';
