import { describe, expect, it } from 'vitest';
import { measurementKey, parseMeasurementKey } from '../../src/keys.js';

describe('measurement keys', () => {
  it('read back what they were built from, and refuse what is not one', () => {
    expect(parseMeasurementKey(measurementKey('lastMessage', 'heaviest'))).toEqual({ pattern: 'lastMessage', userClass: 'heaviest' });
    expect(parseMeasurementKey('a|b|typical')).toEqual({ pattern: 'a|b', userClass: 'typical' });
    expect(parseMeasurementKey('lastMessage|someone')).toBeUndefined();
    expect(parseMeasurementKey('typical')).toBeUndefined();
  });
});
