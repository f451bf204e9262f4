package io.lango.kms.testsupport.gcp;

/**
 * Methods of {@code google.cloud.kms.v1.KeyManagementService} that the stand-in serves.
 */
public enum GcpKmsMethod {

    ENCRYPT("Encrypt"),

    DECRYPT("Decrypt"),

    ASYMMETRIC_SIGN("AsymmetricSign"),

    GET_PUBLIC_KEY("GetPublicKey");

    private final String grpcName;

    GcpKmsMethod(String grpcName) {
        this.grpcName = grpcName;
    }

    /**
     * Returns the method name as it appears in the gRPC path, for example {@code Encrypt}.
     */
    public String grpcName() {
        return this.grpcName;
    }
}
