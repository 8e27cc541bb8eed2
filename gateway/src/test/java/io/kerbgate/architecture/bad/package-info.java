/**
 * Deliberately bad classes, one per broken rule, laid out like the gateway's packages: {@link
 * io.kerbgate.architecture.ArchitectureRulesFailTest} shows that every architecture rule fails on them. Nothing uses
 * them.
 */
package io.kerbgate.architecture.bad;
