// MQTT: a small client over `mqtt`, loaded lazily on first connect. Re-exports only.
export * from './client.ts';
