/**
 * Replay caches (RFC 4120 §3.2.3): {@link io.kerbgate.replay.LocalReplayCache} in this node's memory, and
 * {@link io.kerbgate.replay.SharedReplayCache}, which layers a Redis or Valkey store that every node of the array
 * shares over it, a single server or a master that Redis Sentinel watches ({@link io.kerbgate.replay.RedisSharedStore},
 * {@link io.kerbgate.replay.SentinelWatch}). {@link io.kerbgate.replay.ReplayCaches} builds the one the config asks for.
 */
@NullMarked
package io.kerbgate.replay;

import org.jspecify.annotations.NullMarked;
