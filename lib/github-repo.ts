// A GitHub repository named `owner/name`, checked strictly: text from config files and change events ends up in
// GitHub API paths, so `../..`, `.`, spaces or a third segment must never pass for a repository.

/**
 * GitHub's rules: an owner is 1-39 letters, digits or single hyphens, not starting or ending with one; a repository
 * name is 1-100 letters, digits, `.`, `_` or `-`, and neither `.` nor `..`.
 */
export const GITHUB_REPO_PATTERN =
  /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;

export const GITHUB_REPO_MESSAGE = 'expected a GitHub repository as owner/name';

export function isGithubRepo(text: string): boolean {
  return GITHUB_REPO_PATTERN.test(text);
}
