import { Stream, type StreamOptions } from '../../core/stream.ts';
import { type FromMqttOptions, MqttSource } from './mqtt-source.ts';

declare module '../../core/stream.ts' {
  namespace Stream {
    /**
     * A source of the MQTT messages matching `topicFilter`; QoS 1 messages are acknowledged once every node
     * downstream is done with them. Call `start()`; `stop()` disconnects.
     * @example
     * const source = Stream.fromMqtt('mqtt://127.0.0.1:1883', 'plant/+/temperature', { qos: 1, value: 'json' });
     * source.sink((m) => console.log(m.topic, m.value));
     * source.start();
     */
    function fromMqtt<V = unknown>(
      url: string,
      topicFilter: string,
      options?: FromMqttOptions,
      streamOptions?: StreamOptions,
    ): MqttSource<V>;
  }
}

Object.assign(Stream, {
  fromMqtt<V>(url: string, topicFilter: string, options: FromMqttOptions = {}, streamOptions: StreamOptions = {}) {
    return new MqttSource<V>(url, topicFilter, options, streamOptions);
  },
});
