package io.queuekit.conformance;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a shared base-queue test that leaves deliveries in flight on purpose, which the check
 * after each test ({@link QueueFixture#checkNothingInFlight}) would otherwise fail; the counts
 * are still checked. The value says why, so the exception is visible where the test is.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface LeavesInFlight {
  /** Why the test leaves deliveries in flight. */
  String value();
}
