export declare function cacheRoot(): string;
export declare function cached<Details>(
  name: string,
  inputs: unknown,
  build: (dir: string) => Promise<Details>,
): Promise<{ dir: string; details: Details }>;
