package io.kerbgate.architecture.bad.config;

/** Stands for a configuration record. */
public record Settings(int skewSeconds) {}
