import type { Readable } from 'node:stream';
import { GraphQLUploadScalar } from './graphql-upload';

/**
 * The `Upload` scalar of the GraphQL multipart request spec. Declare file arguments with it:
 * `@Arg('files', () => [GraphQLUpload], { nullable: true }) files: FileUploadPromise[] | null`,
 * or `@Field(() => [GraphQLUpload])` on an input type, then hand them to `storeUploads`.
 */
export const GraphQLUpload = GraphQLUploadScalar;

/** One file of a multipart request as graphql-upload resolves it. Name and type are client claims. */
export interface FileUpload {
  filename: string;
  mimetype: string;
  encoding: string;
  createReadStream(): Readable;
}

/** What an `Upload` argument holds: graphql-upload resolves it once the file's part begins. */
export type FileUploadPromise = Promise<FileUpload>;
