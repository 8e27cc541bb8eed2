package io.kerbgate.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The fix that a refusal of this key suggests when the value is of the wrong kind (a list for a path, a number for a
 * name), e.g. {@code point keytab at the array's keytab}; {@link ConfigErrors} and the {@link Scalars} read it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD})
public @interface Fix {
    String value();
}
