package io.queuekit.spring;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueManager;
import io.queuekit.admin.AdminServer;
import io.queuekit.internal.Causes;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Starts the admin server from {@code queuekit.admin.*}. A value the server refuses, or cannot
 * use (a port another process listens on, a login URL file that cannot be written), stops
 * start-up with a {@link QueueConfigException} naming the property and the value as {@link
 * PropertyValue} shows them (the token's as {@code ****}), which {@link QueueConfigFailureAnalyzer}
 * reports; the server's own messages name its builder's methods ({@code allowRemote()}, {@code
 * loginUrlFile(...)}), not the properties.
 *
 * <p>Loaded only with queue-admin on the class path. <b>Thread-safety:</b> stateless.
 */
final class AdminStart {

  private static final String PREFIX = QueuekitPropertiesCheck.ADMIN;
  private static final String HOST = PREFIX + ".host";
  private static final String PORT = PREFIX + ".port";
  private static final String TOKEN = PREFIX + ".token";
  private static final String LOGIN_URL_FILE = PREFIX + ".login-url-file";

  private AdminStart() {}

  static AdminServer start(QueueManager manager, QueuekitProperties.Admin a, Duration maxWaitingAge) {
    AdminServer.Builder b = AdminServer.builder(manager).maxWaitingAge(maxWaitingAge);
    String host = a.getHost() == null ? "" : a.getHost();
    b.host(host);
    try {
      b.port(a.getPort());
    } catch (IllegalArgumentException e) {
      throw new QueueConfigException(PropertyValue.of(PORT, a.getPort()) + ": " + e.getMessage(), e);
    }
    if (a.getToken() != null) {
      try {
        b.token(a.getToken());
      } catch (IllegalArgumentException e) {
        throw new QueueConfigException(PropertyValue.of(TOKEN, a.getToken()) + ": " + e.getMessage(), e);
      }
    }
    if (a.getLoginUrlFile() != null) {
      b.loginUrlFile(a.getLoginUrlFile());
    }
    if (a.isAllowRemote()) {
      b.allowRemote();
    } else if (!loopback(host)) {
      throw new QueueConfigException(PropertyValue.of(HOST, host) + ": the admin page would be reachable beyond this"
          + " machine; bind to 127.0.0.1, or set " + PREFIX + ".allow-remote=true (anyone who reaches it and"
          + " holds the token can then act on the queues: put TLS in front of it)");
    }
    try {
      return b.start();
    } catch (IllegalArgumentException e) {
      throw new QueueConfigException(PropertyValue.of(HOST, host) + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      BindException bind = Causes.find(e, BindException.class);
      if (bind != null) {
        throw cannotListen(host, a.getPort(), bind, e);
      }
      if (a.getToken() == null && (e instanceof UncheckedIOException || e instanceof IllegalStateException)) {
        // what AdminServer throws when a generated token's login URL cannot be written
        throw cannotWriteLoginUrl(manager, a, e);
      }
      throw e;
    }
  }

  /** Jetty could not bind: the port is taken, or (any other reason) the host is no address of this machine. */
  private static QueueConfigException cannotListen(String host, int port, BindException bind, RuntimeException e) {
    String reason = " (" + bind.getMessage() + ")";
    String where = host + ":" + port;
    if (port != 0 && String.valueOf(bind.getMessage()).contains("in use")) {
      return new QueueConfigException(PropertyValue.of(PORT, port) + ": the admin server cannot listen on " + where
          + reason + ": another process holds the port; choose a free one, or 0 for any free port", e);
    }
    return new QueueConfigException(PropertyValue.of(HOST, host) + ": the admin server cannot listen on " + where
        + reason + "; give an address of this machine", e);
  }

  private static QueueConfigException cannotWriteLoginUrl(QueueManager manager, QueuekitProperties.Admin a,
      RuntimeException e) {
    Throwable c = e.getCause() != null ? e.getCause() : e;
    String reason = " (" + c.getClass().getSimpleName() + ": " + c.getMessage() + ")";
    String property = a.getLoginUrlFile() != null ? PropertyValue.of(LOGIN_URL_FILE, a.getLoginUrlFile())
        : LOGIN_URL_FILE + " (unset: a file in " + PropertyValue.of("queuekit.data-path", manager.dataPath()) + ")";
    return new QueueConfigException(property + ": the login URL of the token generated at start cannot be written"
        + " there" + reason + "; set " + LOGIN_URL_FILE + " to a file this user can write, or " + TOKEN
        + " to a token of your own", e);
  }

  private static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new QueueConfigException(PropertyValue.of(HOST, host) + ": the admin host does not resolve ("
          + e.getMessage() + ")", e);
    }
  }
}
