package io.queuekit.admin;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's answer to a failure no route expects, an Error included: 500 with a JSON error
 * naming the request and the failure's class (never its message, which may quote a setting, nor
 * its stack trace), and one log line with the stack trace. A {@link VirtualMachineError} is passed
 * on once answered, as the workers pass it on (it is Javalin's then, which ends the request);
 * Javalin's handler of Errors then only sets the status, so it is logged once.
 *
 * <p><b>Thread-safety:</b> a request's handlers and Javalin's handler of its Error run on one
 * thread; {@link #passedOn} is per thread.
 */
final class Unexpected {

  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

  /** Writes a JSON error with this status and message. */
  interface Answer {
    void send(Context ctx, int status, String message);
  }

  private final Answer answer;
  /** The VirtualMachineError {@link #guard} answered, logged and passed on: not to be logged again. */
  private final ThreadLocal<Error> passedOn = new ThreadLocal<>();

  Unexpected(Answer answer) {
    this.answer = answer;
  }

  /** Runs a route's {@code handler}, answering an Error it throws (exceptions are Javalin's to map). */
  void guard(Context ctx, Handler handler) throws Exception {
    try {
      handler.handle(ctx);
    } catch (Error e) {
      exception(e, ctx);
      if (e instanceof VirtualMachineError) {
        passedOn.set(e);
        throw e;
      }
    }
  }

  /** Answers and logs {@code e}, which nothing else handled. */
  void exception(Throwable e, Context ctx) {
    String request = ctx.method() + " " + ctx.path();
    LOG.error("queuekit admin: {} failed unexpectedly", request, e);
    answer.send(ctx, 500, request + " failed: an unexpected " + e.getClass().getName()
        + " (the server's log has the details)");
  }

  /**
   * Javalin's handler of an Error a request threw: one {@link #guard} passed on was answered and
   * logged already; any other (thrown outside a route) is logged here.
   */
  void javalinError(HttpServletResponse res, Error e) {
    res.setStatus(500);
    if (passedOn.get() == e) {
      passedOn.remove();
      return;
    }
    passedOn.remove();
    LOG.error("queuekit admin: a request failed unexpectedly", e);
  }
}
