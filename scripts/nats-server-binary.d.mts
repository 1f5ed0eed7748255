export declare function natsServerBinary(): string;
