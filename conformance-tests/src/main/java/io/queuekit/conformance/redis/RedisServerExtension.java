package io.queuekit.conformance.redis;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a throwaway {@link RedisServer} before a test class and stops it after:
 *
 * <pre>
 *   &#64;RegisterExtension
 *   static final RedisServerExtension redis = new RedisServerExtension();
 *   ... redis.server().connStr() ...
 * </pre>
 *
 * <p><b>Thread-safety:</b> driven by JUnit, one class at a time.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {
  private final Supplier<RedisServer> factory;
  private RedisServer server;

  /** A plain server. */
  public RedisServerExtension() {
    this(() -> RedisServer.builder().build());
  }

  /** A server built by {@code factory} (not yet started). */
  public RedisServerExtension(Supplier<RedisServer> factory) {
    this.factory = factory;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server = factory.get().start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** The running server. */
  public RedisServer server() {
    if (server == null) {
      throw new IllegalStateException("the Redis server is started before the test class runs");
    }
    return server;
  }
}
