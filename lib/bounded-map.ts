// A map kept to a size: the entries set first are dropped first.

/** Sets `key` in `map` and drops the oldest entries beyond `max`; returns `value`. */
export function setKeepingAtMost<K, V>(map: Map<K, V>, key: K, value: V, max: number): V {
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value!);
  return value;
}
