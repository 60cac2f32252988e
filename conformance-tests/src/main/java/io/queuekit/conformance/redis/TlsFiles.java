package io.queuekit.conformance.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A self-signed certificate and key for 127.0.0.1/localhost, made with {@code openssl} at test
 * time (nothing secret is checked in).
 *
 * @param cert PEM certificate (also the CA file: it signs itself)
 * @param key PEM private key
 */
public record TlsFiles(Path cert, Path key) {

  /** Generates the pair in {@code dir}. */
  public static TlsFiles generate(Path dir) {
    Path cert = dir.resolve("redis.crt");
    Path key = dir.resolve("redis.key");
    List<String> cmd = List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException("openssl failed to make a test certificate (install it "
            + "with `apt-get install openssl`): " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run openssl (install it with `apt-get install "
          + "openssl`)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new TlsFiles(cert, key);
  }
}
