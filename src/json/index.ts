export {
  cloneJson,
  isJsonObject,
  jsonEqual,
  numberAt,
  objectAt,
  stringAt,
  stringMapAt,
  type Json,
  type JsonObject,
} from './json';
export { applyMergePatch, createMergePatch } from './merge-patch';
