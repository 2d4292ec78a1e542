// MQTT: a small client, a source and a sink over `mqtt`, loaded lazily on first connect. Re-exports only, by name.

import '../../core/index.ts';

export type { MqttConnection, MqttMessage } from './client.ts';
export { MqttClient } from './client.ts';

import './from-mqtt.ts';

export type { FromMqttOptions, MqttRecord } from './mqtt-source.ts';
export { MqttSource } from './mqtt-source.ts';
export type { ToMqttOptions } from './to-mqtt.ts';
export { MqttSinkNode } from './to-mqtt.ts';
