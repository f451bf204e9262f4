/**
 * Google Cloud KMS provider on the {@code google-cloud-kms} gRPC client, with Google's end-to-end CRC32C checks.
 * Only this package touches the Google Cloud SDK.
 */
package io.lango.kms.gcp;
