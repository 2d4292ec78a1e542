// MQTT: a small client over `mqtt`, loaded lazily on first connect. Re-exports only, by name.

export type { MqttConnection, MqttMessage } from './client.ts';
export { MqttClient } from './client.ts';
