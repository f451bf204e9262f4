/**
 * Local stand-ins and JUnit extensions for KMS backends, bound to 127.0.0.1 only; for tests and local runs of the
 * sample app, never for production.
 */
package io.lango.kms.testsupport;
