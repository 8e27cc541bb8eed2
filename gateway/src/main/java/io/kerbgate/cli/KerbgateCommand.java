package io.kerbgate.cli;

public final class KerbgateCommand {
    public static void main(String[] args) {}
}
