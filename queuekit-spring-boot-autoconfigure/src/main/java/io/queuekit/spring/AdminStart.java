package io.queuekit.spring;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueManager;
import io.queuekit.admin.AdminServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Starts the admin server from {@code queuekit.admin.*}. A value the server refuses stops
 * start-up with a {@link QueueConfigException} naming the property and the value (never the
 * token's), which {@link QueueConfigFailureAnalyzer} reports; the server's own messages name
 * its builder's methods, not the properties.
 *
 * <p>Loaded only with queue-admin on the class path. <b>Thread-safety:</b> stateless.
 */
final class AdminStart {

  private static final String PREFIX = QueuekitPropertiesCheck.ADMIN;

  private AdminStart() {}

  static AdminServer start(QueueManager manager, QueuekitProperties.Admin a, Duration maxWaitingAge) {
    AdminServer.Builder b = AdminServer.builder(manager).maxWaitingAge(maxWaitingAge);
    String host = a.getHost() == null ? "" : a.getHost();
    b.host(host);
    try {
      b.port(a.getPort());
    } catch (IllegalArgumentException e) {
      throw new QueueConfigException(PREFIX + ".port=" + a.getPort() + ": " + e.getMessage(), e);
    }
    if (a.getToken() != null) {
      try {
        b.token(a.getToken());
      } catch (IllegalArgumentException e) {
        throw new QueueConfigException(PREFIX + ".token: " + e.getMessage() + " (the value is not shown)", e);
      }
    }
    if (a.getLoginUrlFile() != null) {
      b.loginUrlFile(a.getLoginUrlFile());
    }
    if (a.isAllowRemote()) {
      b.allowRemote();
    } else if (!loopback(host)) {
      throw new QueueConfigException(PREFIX + ".host=" + host + ": the admin page would be reachable beyond this"
          + " machine; bind to 127.0.0.1, or set " + PREFIX + ".allow-remote=true (anyone who reaches it and"
          + " holds the token can then act on the queues: put TLS in front of it)");
    }
    try {
      return b.start();
    } catch (IllegalArgumentException e) {
      throw new QueueConfigException(PREFIX + ".host=" + host + ": " + e.getMessage(), e);
    }
  }

  private static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new QueueConfigException(PREFIX + ".host=" + host + ": the admin host does not resolve ("
          + e.getMessage() + ")", e);
    }
  }
}
