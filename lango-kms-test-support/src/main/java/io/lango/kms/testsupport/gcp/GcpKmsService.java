package io.lango.kms.testsupport.gcp;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

import com.google.cloud.kms.v1.AsymmetricSignRequest;
import com.google.cloud.kms.v1.AsymmetricSignResponse;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionAlgorithm;
import com.google.cloud.kms.v1.DecryptRequest;
import com.google.cloud.kms.v1.DecryptResponse;
import com.google.cloud.kms.v1.EncryptRequest;
import com.google.cloud.kms.v1.EncryptResponse;
import com.google.cloud.kms.v1.GetPublicKeyRequest;
import com.google.cloud.kms.v1.ProtectionLevel;
import com.google.cloud.kms.v1.PublicKey;
import com.google.cloud.kms.v1.PublicKey.PublicKeyFormat;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import com.google.protobuf.Message;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/**
 * The stand-in's {@code google.cloud.kms.v1.KeyManagementService}: Encrypt, Decrypt, AsymmetricSign and
 * GetPublicKey with Cloud KMS's request checks, CRC32C fields and the queued faults applied.
 */
final class GcpKmsService {

    /** Full name of the gRPC service, as in Google's {@code google/cloud/kms/v1/service.proto}. */
    static final String SERVICE_NAME = "google.cloud.kms.v1.KeyManagementService";

    /** Maximum plaintext and additional authenticated data that Cloud KMS accepts: 64 KiB. */
    static final int MAX_DATA_LENGTH = 64 * 1024;

    private static final int SHA256_LENGTH = 32;

    private final GcpKmsKeys keys;

    private final GcpKmsFaults faults;

    private final ScheduledExecutorService scheduler;

    private final GcpKmsCrypto crypto = new GcpKmsCrypto();

    private final Map<GcpKmsMethod, AtomicInteger> requestCounts = new EnumMap<>(GcpKmsMethod.class);

    private final Map<GcpKmsMethod, Message> lastRequests = new EnumMap<>(GcpKmsMethod.class);

    GcpKmsService(GcpKmsKeys keys, GcpKmsFaults faults, ScheduledExecutorService scheduler) {
        this.keys = keys;
        this.faults = faults;
        this.scheduler = scheduler;
        for (GcpKmsMethod method : GcpKmsMethod.values()) {
            this.requestCounts.put(method, new AtomicInteger());
        }
    }

    ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(SERVICE_NAME)
            .addMethod(descriptor(GcpKmsMethod.ENCRYPT, EncryptRequest.getDefaultInstance(),
                    EncryptResponse.getDefaultInstance()),
                    handler(GcpKmsMethod.ENCRYPT, this::encrypt, GcpKmsService::corruptEncrypt))
            .addMethod(descriptor(GcpKmsMethod.DECRYPT, DecryptRequest.getDefaultInstance(),
                    DecryptResponse.getDefaultInstance()),
                    handler(GcpKmsMethod.DECRYPT, this::decrypt, GcpKmsService::corruptDecrypt))
            .addMethod(descriptor(GcpKmsMethod.ASYMMETRIC_SIGN, AsymmetricSignRequest.getDefaultInstance(),
                    AsymmetricSignResponse.getDefaultInstance()),
                    handler(GcpKmsMethod.ASYMMETRIC_SIGN, this::asymmetricSign, GcpKmsService::corruptSign))
            .addMethod(descriptor(GcpKmsMethod.GET_PUBLIC_KEY, GetPublicKeyRequest.getDefaultInstance(),
                    PublicKey.getDefaultInstance()),
                    handler(GcpKmsMethod.GET_PUBLIC_KEY, this::getPublicKey, GcpKmsService::corruptPublicKey))
            .build();
    }

    int requestCount(GcpKmsMethod method) {
        return this.requestCounts.get(method).get();
    }

    synchronized Message lastRequest(GcpKmsMethod method) {
        return this.lastRequests.get(method);
    }

    synchronized void resetCounters() {
        this.requestCounts.values().forEach((count) -> count.set(0));
        this.lastRequests.clear();
    }

    private synchronized void record(GcpKmsMethod method, Message request) {
        this.requestCounts.get(method).incrementAndGet();
        this.lastRequests.put(method, request);
    }

    private EncryptResponse encrypt(EncryptRequest request) {
        requireMaxLength("plaintext", request.getPlaintext());
        requireMaxLength("additional_authenticated_data", request.getAdditionalAuthenticatedData());
        checkCrc32c(request.hasPlaintextCrc32C(), request.getPlaintextCrc32C(), request.getPlaintext(),
                "plaintext_crc32c", "plaintext");
        checkCrc32c(request.hasAdditionalAuthenticatedDataCrc32C(), request.getAdditionalAuthenticatedDataCrc32C(),
                request.getAdditionalAuthenticatedData(), "additional_authenticated_data_crc32c",
                "additional_authenticated_data");
        GcpKmsKeys.Version version = this.keys.versionForEncrypt(request.getName());
        ByteString ciphertext = this.crypto.encrypt(version, request.getPlaintext(),
                request.getAdditionalAuthenticatedData());
        return EncryptResponse.newBuilder()
            .setName(version.name)
            .setCiphertext(ciphertext)
            .setCiphertextCrc32C(crc32c(ciphertext))
            .setVerifiedPlaintextCrc32C(request.hasPlaintextCrc32C())
            .setVerifiedAdditionalAuthenticatedDataCrc32C(request.hasAdditionalAuthenticatedDataCrc32C())
            .setProtectionLevel(ProtectionLevel.SOFTWARE)
            .build();
    }

    private DecryptResponse decrypt(DecryptRequest request) {
        checkCrc32c(request.hasCiphertextCrc32C(), request.getCiphertextCrc32C(), request.getCiphertext(),
                "ciphertext_crc32c", "ciphertext");
        checkCrc32c(request.hasAdditionalAuthenticatedDataCrc32C(), request.getAdditionalAuthenticatedDataCrc32C(),
                request.getAdditionalAuthenticatedData(), "additional_authenticated_data_crc32c",
                "additional_authenticated_data");
        GcpKmsKeys.CryptoKey cryptoKey = this.keys.cryptoKeyForDecrypt(request.getName());
        ByteString plaintext = this.crypto.decrypt(cryptoKey, request.getCiphertext(),
                request.getAdditionalAuthenticatedData());
        return DecryptResponse.newBuilder()
            .setPlaintext(plaintext)
            .setPlaintextCrc32C(crc32c(plaintext))
            .setUsedPrimary(true)
            .setProtectionLevel(ProtectionLevel.SOFTWARE)
            .build();
    }

    private AsymmetricSignResponse asymmetricSign(AsymmetricSignRequest request) {
        GcpKmsKeys.Version version = this.keys.signingVersion(request.getName(), "AsymmetricSign");
        if (!request.getData().isEmpty() || !request.hasDigest()) {
            throw GcpKmsStatus.invalidArgument("digest",
                    "EC_SIGN_P256_SHA256 keys sign a SHA-256 digest; set digest.sha256, not data.");
        }
        ByteString digest = request.getDigest().getSha256();
        if (digest.size() != SHA256_LENGTH) {
            throw GcpKmsStatus.invalidArgument("digest.sha256", "The digest must be a 32-byte SHA-256 hash, but was "
                    + digest.size() + " bytes.");
        }
        checkCrc32c(request.hasDigestCrc32C(), request.getDigestCrc32C(), digest, "digest_crc32c", "digest");
        ByteString signature = this.crypto.sign(version, digest);
        return AsymmetricSignResponse.newBuilder()
            .setName(version.name)
            .setSignature(signature)
            .setSignatureCrc32C(crc32c(signature))
            .setVerifiedDigestCrc32C(request.hasDigestCrc32C())
            .setProtectionLevel(ProtectionLevel.SOFTWARE)
            .build();
    }

    private PublicKey getPublicKey(GetPublicKeyRequest request) {
        GcpKmsKeys.Version version = this.keys.signingVersion(request.getName(), "GetPublicKey");
        PublicKeyFormat format = request.getPublicKeyFormat();
        if (format != PublicKeyFormat.PUBLIC_KEY_FORMAT_UNSPECIFIED && format != PublicKeyFormat.PEM) {
            throw GcpKmsStatus.invalidArgument("public_key_format", "The stand-in serves only PEM public keys.");
        }
        String pem = GcpKmsCrypto.pem(version);
        return PublicKey.newBuilder()
            .setName(version.name)
            .setPem(pem)
            .setPemCrc32C(Int64Value.of(GcpKmsCrypto.crc32c(pem)))
            .setAlgorithm(CryptoKeyVersionAlgorithm.EC_SIGN_P256_SHA256)
            .setProtectionLevel(ProtectionLevel.SOFTWARE)
            .build();
    }

    private static EncryptResponse corruptEncrypt(EncryptResponse response, GcpKmsCorruption corruption) {
        EncryptResponse.Builder builder = response.toBuilder();
        switch (corruption) {
            case CIPHERTEXT_CRC32C -> builder.setCiphertextCrc32C(otherCrc32c(response.getCiphertextCrc32C()));
            case CIPHERTEXT_BYTE -> builder.setCiphertext(flipLastByte(response.getCiphertext()));
            case UNVERIFIED_PLAINTEXT_CRC32C -> builder.setVerifiedPlaintextCrc32C(false);
            case UNVERIFIED_AAD_CRC32C -> builder.setVerifiedAdditionalAuthenticatedDataCrc32C(false);
            case ENCRYPT_KEY_NAME -> builder.setName(response.getName().replaceFirst("/cryptoKeys/[^/]+/",
                    "/cryptoKeys/another-key/"));
            default -> throw new IllegalArgumentException(corruption + " does not apply to Encrypt");
        }
        return builder.build();
    }

    private static DecryptResponse corruptDecrypt(DecryptResponse response, GcpKmsCorruption corruption) {
        if (corruption != GcpKmsCorruption.PLAINTEXT_CRC32C) {
            throw new IllegalArgumentException(corruption + " does not apply to Decrypt");
        }
        return response.toBuilder().setPlaintextCrc32C(otherCrc32c(response.getPlaintextCrc32C())).build();
    }

    private static AsymmetricSignResponse corruptSign(AsymmetricSignResponse response,
            GcpKmsCorruption corruption) {
        AsymmetricSignResponse.Builder builder = response.toBuilder();
        switch (corruption) {
            case UNVERIFIED_DIGEST_CRC32C -> builder.setVerifiedDigestCrc32C(false);
            case SIGNATURE_CRC32C -> builder.setSignatureCrc32C(otherCrc32c(response.getSignatureCrc32C()));
            case SIGN_KEY_NAME -> builder.setName(response.getName().replaceFirst("[0-9]+$", "999"));
            default -> throw new IllegalArgumentException(corruption + " does not apply to AsymmetricSign");
        }
        return builder.build();
    }

    private static PublicKey corruptPublicKey(PublicKey response, GcpKmsCorruption corruption) {
        if (corruption != GcpKmsCorruption.PEM_CRC32C) {
            throw new IllegalArgumentException(corruption + " does not apply to GetPublicKey");
        }
        return response.toBuilder().setPemCrc32C(otherCrc32c(response.getPemCrc32C())).build();
    }

    private static Int64Value crc32c(ByteString data) {
        return Int64Value.of(GcpKmsCrypto.crc32c(data));
    }

    private static Int64Value otherCrc32c(Int64Value crc) {
        return Int64Value.of(crc.getValue() ^ 0x1L);
    }

    private static ByteString flipLastByte(ByteString data) {
        byte[] bytes = data.toByteArray();
        bytes[bytes.length - 1] ^= 0x01;
        return ByteString.copyFrom(bytes);
    }

    private static void requireMaxLength(String field, ByteString data) {
        if (data.size() > MAX_DATA_LENGTH) {
            throw GcpKmsStatus.invalidArgument(field, "The %s field is %d bytes; the maximum is %d bytes."
                .formatted(field, data.size(), MAX_DATA_LENGTH));
        }
    }

    private static void checkCrc32c(boolean present, Int64Value checksum, ByteString data, String checksumField,
            String dataField) {
        if (present && checksum.getValue() != GcpKmsCrypto.crc32c(data)) {
            throw GcpKmsStatus.checksumMismatch(checksumField, dataField);
        }
    }

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> descriptor(GcpKmsMethod method,
            Q requestPrototype, R responsePrototype) {
        return MethodDescriptor.<Q, R>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE_NAME, method.grpcName()))
            .setRequestMarshaller(ProtoUtils.marshaller(requestPrototype))
            .setResponseMarshaller(ProtoUtils.marshaller(responsePrototype))
            .build();
    }

    private <Q extends Message, R extends Message> io.grpc.ServerCallHandler<Q, R> handler(GcpKmsMethod method,
            Function<Q, R> operation, BiFunction<R, GcpKmsCorruption, R> corrupter) {
        return ServerCalls.asyncUnaryCall((request, observer) -> {
            record(method, request);
            Runnable respond = () -> respond(method, request, observer, operation, corrupter);
            Duration delay = this.faults.takeDelay(method);
            if (delay != null) {
                this.scheduler.schedule(respond, delay.toNanos(), TimeUnit.NANOSECONDS);
            }
            else {
                respond.run();
            }
        });
    }

    private <Q extends Message, R extends Message> void respond(GcpKmsMethod method, Q request,
            StreamObserver<R> observer, Function<Q, R> operation, BiFunction<R, GcpKmsCorruption, R> corrupter) {
        R response;
        try {
            response = compute(method, request, operation, corrupter);
        }
        catch (StatusRuntimeException ex) {
            sendError(observer, ex);
            return;
        }
        catch (RuntimeException ex) {
            sendError(observer, Status.INTERNAL.withDescription(ex.toString()).withCause(ex).asRuntimeException());
            return;
        }
        try {
            observer.onNext(response);
            observer.onCompleted();
        }
        catch (RuntimeException ex) {
            // The client cancelled the call, for example when its deadline passed during an injected delay.
        }
    }

    private <Q extends Message, R extends Message> R compute(GcpKmsMethod method, Q request,
            Function<Q, R> operation, BiFunction<R, GcpKmsCorruption, R> corrupter) {
        Status.Code failure = this.faults.takeFailure(method);
        if (failure != null) {
            throw Status.fromCode(failure)
                .withDescription("Fault injected by the Cloud KMS stand-in")
                .asRuntimeException();
        }
        R response = operation.apply(request);
        GcpKmsCorruption corruption = this.faults.takeCorruption(method);
        return (corruption != null) ? corrupter.apply(response, corruption) : response;
    }

    private static void sendError(StreamObserver<?> observer, StatusRuntimeException error) {
        try {
            observer.onError(error);
        }
        catch (RuntimeException ex) {
            // The client cancelled the call, so the error cannot be delivered.
        }
    }
}
