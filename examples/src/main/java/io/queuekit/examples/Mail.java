package io.queuekit.examples;

/** A message for the mail queue. */
public record Mail(String to, String subject) {}
