// s3rver ships no types; the test server casts what it uses.
declare module 's3rver';
