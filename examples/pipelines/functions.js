// The named functions the example pipelines call from their `filter` and `map` steps. A pipeline file names a
// function; it never holds code. Plain JavaScript, so it loads on every supported Node.

/** Keeps the readings a sensor could have made: the sensors send -999 when they fail. */
export function plausible(reading) {
  return reading.fahrenheit > -100;
}

/** Adds the temperature in degrees Celsius, to two decimals. */
export function toCelsius(reading) {
  return { ...reading, celsius: Math.round((((reading.fahrenheit - 32) * 5) / 9) * 100) / 100 };
}

/** Refuses a reading whose temperature is not a number: a dead-letter step after it takes the reading. */
export function requireNumber(reading) {
  if (typeof reading.fahrenheit !== 'number') {
    throw new TypeError(`fahrenheit is ${JSON.stringify(reading.fahrenheit)}, not a number`);
  }
  return reading;
}

/** The lathe's telemetry of a simulation as a reading: which sensor, when, and the value. */
export function latheReading(record) {
  return { sensor: record.path_id.split('.').pop(), timestamp: record.timestamp, value: record.value };
}
