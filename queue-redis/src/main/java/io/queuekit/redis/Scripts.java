package io.queuekit.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The Lua scripts of the Redis layout ({@code lua/*.lua}, each prefixed by {@code prelude.lua}),
 * run by SHA with {@code EVALSHA}; a server that answers {@code NOSCRIPT} (restarted, flushed,
 * another cluster node) gets the script body with {@code EVAL}, which also caches it there.
 *
 * <p><b>Thread-safety:</b> immutable after class initialisation.
 */
final class Scripts {

  /** One script per store operation. */
  enum Script {
    OPEN, PUSH, CLAIM, ACK, RELEASE, UNCLAIM, DEADLETTER, REMOVEALL, LEN, STATS, REPLAY, PURGE,
    REGISTER, HEARTBEAT, SWEEP, RECOVER, PROMOTE;

    final String body;
    final String sha;

    Script() {
      String prelude = read("prelude");
      this.body = prelude + "\n" + read(name().toLowerCase(java.util.Locale.ROOT));
      this.sha = sha1(body);
    }
  }

  private Scripts() {}

  /** Runs {@code script} asynchronously; the result is whatever the script returns. */
  @SuppressWarnings("unchecked")
  static <T> CompletionStage<T> run(RedisClusterAsyncCommands<byte[], byte[]> redis, Script script,
      byte[][] keys, byte[]... args) {
    ScriptOutputType type = ScriptOutputType.MULTI;
    if (script == Script.LEN || script == Script.RELEASE || script == Script.REPLAY
        || script == Script.PURGE || script == Script.REGISTER || script == Script.HEARTBEAT
        || script == Script.SWEEP) {
      type = ScriptOutputType.INTEGER;
    }
    ScriptOutputType t = type;
    CompletableFuture<T> first = redis.<T>evalsha(script.sha, t, keys, args).toCompletableFuture();
    return first.handle((v, e) -> {
      if (e == null) {
        return CompletableFuture.completedFuture(v);
      }
      Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
          ? e.getCause() : e;
      if (cause instanceof RedisNoScriptException
          || (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"))) {
        return redis.<T>eval(script.body.getBytes(StandardCharsets.UTF_8), t, keys, args)
            .toCompletableFuture();
      }
      return CompletableFuture.<T>failedFuture(cause);
    }).thenCompose(f -> f);
  }

  private static String read(String name) {
    String path = "lua/" + name + ".lua";
    try (InputStream in = Scripts.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource io/queuekit/redis/" + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read io/queuekit/redis/" + path, e);
    }
  }

  private static String sha1(String body) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      return HexFormat.of().formatHex(md.digest(body.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-1", e);
    }
  }
}
