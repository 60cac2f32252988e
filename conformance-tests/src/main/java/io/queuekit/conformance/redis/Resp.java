package io.queuekit.conformance.redis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RESP2 client over a plain socket, so fixtures can start, probe and inspect servers
 * without depending on the client library under test.
 *
 * <p>Replies: simple strings and bulk strings as {@link String} (UTF-8), integers as {@link Long},
 * arrays as {@link List}, nil as null; an error reply throws {@link RespError}.
 *
 * <p><b>Thread-safety:</b> not thread-safe; one instance per thread.
 */
public final class Resp implements AutoCloseable {

  /** An error reply from the server. */
  public static final class RespError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RespError(String message) {
      super(message);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private Resp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects to 127.0.0.1:{@code port}, with a 10 s read timeout. */
  public static Resp connect(int port) {
    try {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      s.setSoTimeout(10_000);
      return new Resp(s);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to 127.0.0.1:" + port, e);
    }
  }

  /** Sends one command and reads its reply. */
  public Object call(String... args) {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
      for (String a : args) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        b.write(("$" + x.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        b.write(x);
        b.write("\r\n".getBytes(StandardCharsets.UTF_8));
      }
      out.write(b.toByteArray());
      out.flush();
      return read();
    } catch (IOException e) {
      throw new UncheckedIOException("command " + args[0] + " on port " + socket.getPort(), e);
    }
  }

  /** {@link #call} expecting an integer reply. */
  public long integer(String... args) {
    return (Long) call(args);
  }

  /** {@link #call} expecting an array of bulk strings (SMEMBERS, HKEYS, LRANGE, ...). */
  public List<String> strings(String... args) {
    List<String> out = new ArrayList<>();
    for (Object o : (List<?>) call(args)) {
      out.add((String) o);
    }
    return out;
  }

  private Object read() throws IOException {
    int type = in.read();
    String line = line();
    switch (type) {
      case '+': return line;
      case '-': throw new RespError(line);
      case ':': return Long.parseLong(line);
      case '$': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        byte[] data = in.readNBytes(n);
        in.readNBytes(2);
        return new String(data, StandardCharsets.UTF_8);
      }
      case '*': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        List<Object> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          try {
            list.add(read());
          } catch (RespError e) {
            list.add(e);
          }
        }
        return list;
      }
      case -1: throw new IOException("connection closed");
      default: throw new IOException("unexpected reply type " + (char) type);
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\r') {
        in.read();
        break;
      }
      b.write(c);
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
