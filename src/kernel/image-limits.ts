// The limits of the process image format: a section of ./limits.ts (the kernel's one limits file),
// re-exported here for the image modules.
export {
  GROUP_IMAGE_BIN_MAX,
  GROUP_IMAGE_DEPTH_MAX,
  IMAGE_ARRAY_MAX,
  IMAGE_DEPTH_MAX,
  IMAGE_MANIFEST_MAX,
  IMAGE_MAP_KEYS_MAX,
  IMAGE_PAGES_MAX,
  IMAGE_REGIONS_MAX,
  IMAGE_STRING_MAX,
  IMAGE_SYMBOLS_MAX,
  IMAGE_VALUES_MAX,
} from './limits.js';
