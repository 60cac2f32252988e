package io.queuekit.conformance.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy in front of a server, for lost-reply and silent-host tests: it forwards both ways
 * until {@link #holdRepliesAfter armed}; then, on the connection that next sends a request
 * containing the marker bytes, it stops forwarding the server's replies (the request still
 * reaches the server and runs). The test then kills that connection on the server (Redis:
 * {@code CLIENT KILL ADDR }{@link #heldServerSideAddress()}), so the client sees its command fail
 * with the reply lost. {@link #silence} makes it a host that went silent (a partition, a frozen
 * machine): nothing is forwarded either way on any connection, old or new, and nothing is
 * closed; {@link #restore} ends that.
 *
 * <p><b>Thread-safety:</b> safe to arm and query from any thread.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Pair> pairs = new CopyOnWriteArrayList<>();
  private final AtomicReference<byte[]> marker = new AtomicReference<>();
  private volatile CountDownLatch held = new CountDownLatch(1);
  private volatile String heldAddress;
  private volatile boolean silent;
  private final Thread acceptor;

  /** Starts a proxy on a free port of 127.0.0.1 forwarding to 127.0.0.1:{@code targetPort}. */
  public TcpProxy(int targetPort) {
    this.targetPort = targetPort;
    try {
      listener = new ServerSocket();
      listener.bind(new InetSocketAddress("127.0.0.1", 0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    acceptor = new Thread(this::accept, "tcp-proxy-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The port clients connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /** Holds the replies of the next connection that sends {@code marker}. */
  public void holdRepliesAfter(byte[] marker) {
    held = new CountDownLatch(1);
    this.marker.set(marker);
  }

  /** Waits until a connection's replies are being held; false on timeout. */
  public boolean awaitHeld(long seconds) throws InterruptedException {
    return held.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
  }

  /**
   * From now on nothing is forwarded and nothing closed: writes are read and dropped, so a
   * client's request is sent and no reply ever comes, and a new connection is accepted but never
   * answered (its log-in waits).
   */
  public void silence() {
    silent = true;
  }

  /**
   * Forwards again. The connections of the silent spell are closed, as a peer that comes back
   * resets what it no longer knows; new ones work.
   */
  public void restore() {
    silent = false;
    for (Pair p : pairs) {
      if (p.silenced) {
        p.closeBoth();
      }
    }
  }

  /** The proxy's address as the server sees the held connection ({@code 127.0.0.1:port}). */
  public String heldServerSideAddress() {
    return heldAddress;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket("127.0.0.1", targetPort);
        sockets.add(client);
        sockets.add(server);
        Pair pair = new Pair(client, server);
        pairs.add(pair);
        pump(client, server, pair, true);
        pump(server, client, pair, false);
      } catch (IOException e) {
        if (!listener.isClosed()) {
          throw new UncheckedIOException("proxy accept failed", e);
        }
      }
    }
  }

  private final class Pair {
    final Socket client;
    final Socket server;
    volatile boolean holding;
    /** Saw the silent spell: closed when it ends. */
    volatile boolean silenced;

    Pair(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void closeBoth() {
      try {
        client.close();
      } catch (IOException ignored) {
        // already closed
      }
      try {
        server.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }

  private void pump(Socket from, Socket to, Pair pair, boolean requests) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) != -1) {
          if (silent) {
            pair.silenced = true;
            continue;
          }
          if (pair.silenced) {
            break; // its stream lost bytes in the silence: closed (finally), as restore() does
          }
          if (requests) {
            byte[] m = marker.get();
            if (m != null && contains(buf, n, m) && marker.compareAndSet(m, null)) {
              heldAddress = "127.0.0.1:" + pair.server.getLocalPort();
              pair.holding = true;
              held.countDown();
            }
            out.write(buf, 0, n);
          } else if (!pair.holding) {
            out.write(buf, 0, n);
          }
          out.flush();
        }
      } catch (IOException e) {
        // one side closed: close the other so the peer notices
      } finally {
        pair.closeBoth();
      }
    }, "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static boolean contains(byte[] buf, int n, byte[] m) {
    outer:
    for (int i = 0; i + m.length <= n; i++) {
      for (int j = 0; j < m.length; j++) {
        if (buf[i + j] != m[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }
}
