package io.queuekit.conformance;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a shared test that applies to every backend, also those that store nothing ({@code dummy},
 * {@code immediate}: {@link QueueCapabilities#stores()} false); the suites skip every other test
 * on them. Such a test reads {@link QueueCapabilities} for what it expects.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface EveryBackend {}
