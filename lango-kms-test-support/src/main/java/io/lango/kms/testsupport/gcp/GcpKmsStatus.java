package io.lango.kms.testsupport.gcp;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;

import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * Error statuses the stand-in returns, with the {@code google.rpc.BadRequest} details that name the invalid
 * request field.
 */
final class GcpKmsStatus {

    private GcpKmsStatus() {
    }

    /**
     * Creates an INVALID_ARGUMENT status whose BadRequest field violation names {@code field}.
     */
    static StatusRuntimeException invalidArgument(String field, String description) {
        BadRequest badRequest = BadRequest.newBuilder()
            .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField(field).setDescription(description))
            .build();
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
            .setCode(Code.INVALID_ARGUMENT_VALUE)
            .setMessage(description)
            .addDetails(Any.pack(badRequest))
            .build();
        return StatusProto.toStatusRuntimeException(status);
    }

    /**
     * Creates the INVALID_ARGUMENT status Cloud KMS returns when a request checksum does not match its data.
     */
    static StatusRuntimeException checksumMismatch(String checksumField, String dataField) {
        return invalidArgument(checksumField, "The checksum in field %s did not match the data in field %s."
            .formatted(checksumField, dataField));
    }
}
