// What publishing a postmortem needs from the code host: branches, files, pull requests and issues of a repository.

/** A file as the code host holds it on a branch. */
export interface HostedFile {
  path: string;
  content: string;
  /** Blob sha, needed to update the file. */
  sha: string;
}

/** A pull request or an issue: its number and where people read it. */
export interface HostedLink {
  number: number;
  url: string;
}

/**
 * The code host of RUNBOOKS_REPO (GitHub through octokit). Every method throws ExternalServiceError: retryable for
 * 5xx, 429 and network errors, permanent for other 4xx, with the HTTP status in the message.
 */
export interface PostmortemCodeHost {
  /** `owner/name`. */
  readonly repo: string;
  /** The commit sha a branch points to, or null when it does not exist. */
  branchSha(branch: string): Promise<string | null>;
  createBranch(branch: string, sha: string): Promise<void>;
  /** A file on a branch, or null when it does not exist. */
  readFile(path: string, ref: string): Promise<HostedFile | null>;
  /** The paths of the Markdown files under a folder (subfolders included) on a branch. */
  listMarkdown(folder: string, ref: string): Promise<string[]>;
  /** Creates or updates a file on a branch (pass the sha the branch holds when updating). */
  writeFile(p: { path: string; branch: string; content: string; message: string; sha?: string }): Promise<void>;
  /** The open pull request from `branch`, if any. */
  findPull(branch: string): Promise<HostedLink | null>;
  openPull(p: { branch: string; base: string; title: string; body: string }): Promise<HostedLink>;
  /** Opens an issue in `repo` (`owner/name`). */
  createIssue(repo: string, p: { title: string; body: string }): Promise<HostedLink>;
}
