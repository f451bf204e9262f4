/**
 * Local stand-in for Google Cloud KMS: a gRPC server for the {@code google.cloud.kms.v1.KeyManagementService}
 * service with real AES-256-GCM and ECDSA P-256 keys, CRC32C checks and fault injection. It binds to 127.0.0.1
 * only and keeps its keys in memory.
 */
package io.lango.kms.testsupport.gcp;
