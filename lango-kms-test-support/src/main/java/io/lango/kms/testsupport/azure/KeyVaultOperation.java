package io.lango.kms.testsupport.azure;

/**
 * Key Vault keys REST operations that {@link KeyVaultStandIn} serves, counts and can make fail.
 */
public enum KeyVaultOperation {

    /** {@code POST /keys/{name}/create}. */
    CREATE_KEY,

    /** {@code GET /keys/{name}/{version}}, where an empty version means the current one. */
    GET_KEY,

    /** {@code PATCH /keys/{name}/{version}}, which changes the enabled flag and the validity period. */
    UPDATE_KEY,

    /** {@code POST /keys/{name}/{version}/encrypt}. */
    ENCRYPT,

    /** {@code POST /keys/{name}/{version}/decrypt}. */
    DECRYPT,

    /** {@code POST /keys/{name}/{version}/sign}. */
    SIGN,

    /** {@code POST /keys/{name}/{version}/verify}. */
    VERIFY,

    /** {@code POST /keys/{name}/{version}/wrapkey}. */
    WRAP_KEY,

    /** {@code POST /keys/{name}/{version}/unwrapkey}. */
    UNWRAP_KEY,

    /** Matches every operation when used in a fault; never counted. */
    ANY;

    boolean matches(KeyVaultOperation operation) {
        return this == ANY || this == operation;
    }
}
