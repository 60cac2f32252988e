package io.queuekit.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The Redis server's own CPU time ({@code used_cpu_user + used_cpu_sys} of {@code INFO cpu}), read
 * over a plain socket so that reading it starts no client threads in the measured JVM. A JMH
 * iteration reads it at its start and end, so the tables can show what each side costs the server
 * per item: with the server on the same 2 cores, the side that asks it for less work leaves more
 * CPU to everything else.
 */
final class ServerCpu {
  private ServerCpu() {}

  /** The server named by {@link Pipelines#REDIS_PROPERTY}, or null when none is. */
  static String uri() {
    String uri = System.getProperty(Pipelines.REDIS_PROPERTY);
    return uri == null || uri.isBlank() ? null : uri;
  }

  /** The server's CPU time so far, in microseconds. */
  static long micros(String uri) {
    URI u = URI.create(uri);
    try (Socket s = new Socket(u.getHost(), u.getPort())) {
      OutputStream out = s.getOutputStream();
      out.write("INFO cpu\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
          StandardCharsets.US_ASCII));
      String header = in.readLine();
      if (header == null || !header.startsWith("$")) {
        throw new IllegalStateException("INFO cpu answered " + header);
      }
      int length = Integer.parseInt(header.substring(1));
      char[] body = new char[length];
      int read = 0;
      while (read < length) {
        int n = in.read(body, read, length - read);
        if (n < 0) {
          throw new IllegalStateException("INFO cpu: connection closed after " + read + " of "
              + length + " characters");
        }
        read += n;
      }
      double seconds = 0;
      int found = 0;
      for (String line : new String(body).split("\r\n")) {
        if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
          seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1));
          found++;
        }
      }
      if (found != 2) {
        throw new IllegalStateException("INFO cpu has no used_cpu_user / used_cpu_sys");
      }
      return Math.round(seconds * 1e6);
    } catch (IOException e) {
      throw new UncheckedIOException("reading INFO cpu of " + uri, e);
    }
  }
}
