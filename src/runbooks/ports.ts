// What the runbooks capability needs from outside: the Markdown files of a runbooks repository.

/** One runbook file as the code host holds it. */
export interface RunbookFile {
  /** Path in the repository, e.g. `runbooks/checkout/high-error-rate.md`. */
  path: string;
  markdown: string;
  /** Where people read it (GitHub's blob URL). */
  url: string;
}

/** The runbook files of one repository, under its configured folder (subfolders included). */
export interface RunbookRepository {
  /** `owner/name`. */
  readonly repo: string;
  /** The folder read, e.g. `runbooks/`. */
  readonly root: string;
  /** Every Markdown file under the folder; throws ExternalServiceError when the code host fails. */
  listFiles(): Promise<RunbookFile[]>;
}
