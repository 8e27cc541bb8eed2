package io.kerbgate.config;

/**
 * A value that a section record or a scalar reader refuses while the file is bound. It names its key relative to the
 * record being read ({@code ""} for the value itself); {@link ConfigErrors} puts the path from the top in front and
 * turns it into the {@link ConfigException} the CLI prints.
 */
public final class InvalidValue extends RuntimeException {

    private final ConfigException error;

    /**
     * @param key the key relative to the record that refuses the value, {@code ""} for the record itself; list items
     *            as {@code nodes[1]}
     */
    public InvalidValue(String key, String problem, String fix) {
        this(new ConfigException(key, problem, fix));
    }

    private InvalidValue(ConfigException error) {
        super(error.getMessage(), null, false, false);
        this.error = error;
    }

    /** The same error, from the converters of {@link ConfigValues} called with a relative key. */
    static InvalidValue of(ConfigException e) {
        return new InvalidValue(e);
    }

    /** The refusal, with its key relative to the record. */
    public ConfigException error() {
        return error;
    }

    /** A reading that may refuse its value with a {@link ConfigException}. */
    @FunctionalInterface
    interface Reading<T> {
        T read() throws ConfigException;
    }

    /** Runs a {@link ConfigValues} converter inside a record's constructor, where only unchecked exceptions go. */
    static <T> T check(Reading<T> reading) {
        try {
            return reading.read();
        } catch (ConfigException e) {
            throw of(e);
        }
    }
}
