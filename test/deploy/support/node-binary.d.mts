export declare const BASE_IMAGE_NODE_MAJOR: number;
export declare const SUPPORTED_NODE_MAJORS: readonly number[];
export declare function nodeBinary(major: number): Promise<{ path: string; version: string }>;
