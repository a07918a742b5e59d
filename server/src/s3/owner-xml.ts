/** Owner and Initiator elements: a user name with its canonical id. */
import { canonicalUserId } from '../policy/principal.js';
import { el, type XmlChild, type XmlNode } from './xml.js';

export function ownerNode(user: string): XmlNode {
  return el('Owner', [el('ID', canonicalUserId(user)), el('DisplayName', user)]);
}

/** An upload's Initiator and Owner (the same user here). */
export function initiatorAndOwner(user: string): XmlChild[] {
  const id = canonicalUserId(user);
  return [el('Initiator', [el('ID', id), el('DisplayName', user)]), el('Owner', [el('ID', id), el('DisplayName', user)])];
}
