// Limits of the JIT, in one place: region size (V8 never optimises a function over 61,440 bytes of
// bytecode, and TurboFan's compile time grows with size), hotness threshold, and code-cache bounds.

/**
 * Most guest instructions compiled into one region function. Small regions measured fastest
 * (bench, V8 12 / Node 20): TurboFan allocates registers better in a small loop-and-switch, so a
 * region is a hot loop and its near blocks, not a whole function.
 */
export const REGION_MAX_INSTRUCTIONS = 96;
/** Most basic blocks in one region. */
export const REGION_MAX_BLOCKS = 8;
/** Entries through the dispatcher before a block start is compiled into a region. */
export const HOT_THRESHOLD = 16;
/** Compiled guest instructions the code cache holds before it is flushed whole. */
export const CACHE_MAX_INSTRUCTIONS = 1 << 19;
/** Invalidations of one frame after which it is left to the interpreter (until the next flush). */
export const FRAME_MAX_INVALIDATIONS = 8;
