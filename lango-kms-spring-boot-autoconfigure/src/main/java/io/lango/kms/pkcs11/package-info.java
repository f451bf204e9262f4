/**
 * PKCS#11 HSM backend through the JDK's SunPKCS11 provider; no other package uses SunPKCS11.
 */
package io.lango.kms.pkcs11;
