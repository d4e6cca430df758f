import { S3IntakeBodies } from '../adapters/s3-intake-bodies';
import { s3Client } from './clients/s3';

/** The bodies of large orders (under `intake/` of the reports bucket). */
export const intakeBodies = (bucket: string): S3IntakeBodies => new S3IntakeBodies(s3Client, bucket);
